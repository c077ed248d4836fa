(self.__BIB_PARTS__=self.__BIB_PARTS__||{})['facet-org']=JSON.parse('{"rows":[[2],[3],[3],[3,2,0,1],[3],[3]],"values":["cica","cis","csto","sco"]}');
